/* A manual check of the desk page in headless Chromium (not part of the test suite).
 *
 *   mkdir -p /tmp/pw && (cd /tmp/pw && npm install playwright-core)
 *   NODE_PATH=/tmp/pw/node_modules TORG_URL=http://127.0.0.1:8000 TORG_USER=desk \
 *     TORG_PASSWORD=... TORG_MUNICIPALITY=alessandria [TORG_DESK=1-2] node tools/desk_browser_check.js
 *
 * The user must be desk staff (or a manager) of a municipality with a site, a service point
 * and a catalogue. At 768 x 1024 it: finds a service by typing (Enter picks the first
 * match), chooses channel and effort with the arrow keys, writes a note with an e-mail
 * address and saves with the keyboard alone (expects "Removed from the note: 1 e-mail
 * address"); then goes offline, saves two entries (expects "2 entries are waiting to be
 * sent"), comes back online and expects the queue to be empty and three more rows in
 * "Your last entries". Screenshots go to /tmp/desk-check-*.png.
 * The issue 3 trial fixes (with the default catalogue in English): Enter after "litter"
 * takes "Benches, litter bins and street furniture" (the best match, not the first in the
 * catalogue); Tab from "Now" skips the disabled time field; after the reconnect the status
 * says "2 entries sent."; the last entries fit 768 px (no horizontal scrolling). */
const { chromium } = require("playwright-core");

const base = process.env.TORG_URL || "http://127.0.0.1:8000";
const slug = process.env.TORG_MUNICIPALITY || "alessandria";
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";

function expect(condition, what) {
  console.log((condition ? "ok   " : "FAIL ") + what);
  if (!condition) { process.exitCode = 1; }
}

(async () => {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
  const context = await browser.newContext({ viewport: { width: 768, height: 1024 }, locale: "en-GB" });
  const page = await context.newPage();
  page.on("pageerror", (error) => expect(false, "no script error: " + error.message));
  await page.goto(base + "/accounts/login/");
  await page.fill("input[name=username]", process.env.TORG_USER || "desk");
  await page.fill("input[name=password]", process.env.TORG_PASSWORD || "");
  await page.press("input[name=password]", "Enter");
  await page.waitForLoadState("networkidle");
  const desk = process.env.TORG_DESK ? `?desk=${process.env.TORG_DESK}` : "";  // e.g. 1-2 (site-point)
  await page.goto(`${base}/m/${slug}/inquiries/desk/${desk}`);
  await page.waitForLoadState("networkidle");
  await page.screenshot({ path: "/tmp/desk-check-1-page.png" });
  const rows = async () => page.locator(".desk-recent tbody tr").count();
  const before = await rows();

  await page.focus("#service-search");
  await page.keyboard.type("litter");
  await page.keyboard.press("Enter");
  expect(await page.evaluate(() => {
    const chosen = document.querySelector("#service-list input[name=service]:checked");
    return !!chosen && chosen.labels[0].textContent.startsWith("Benches, litter bins");
  }), "Enter after \"litter\" takes the best match, not the first in the catalogue");
  await page.check("input[name=when][value=now]", { force: true });
  await page.focus("input[name=when][value=now]");
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => document.activeElement.name !== "occurred_at"), "Tab from \"Now\" skips the time field");
  await page.fill("#service-search", "");
  await page.focus("#service-search");
  await page.keyboard.type("bostotte");
  await page.keyboard.press("Enter");
  expect(await page.evaluate(() => !!document.querySelector("input[name=service]:checked")), "Enter in the search picks a service");
  await page.keyboard.press("Tab");
  await page.keyboard.press("ArrowRight");
  expect(await page.evaluate(() => document.activeElement.name === "channel" && document.activeElement.checked), "arrow keys choose a channel");
  // Referred: its row then has three actions (the widest row of the trial, 859 px).
  await page.check("input[name=outcome][value=referred_internal]", { force: true });
  await page.focus("textarea[name=note]");
  await page.keyboard.type("Answer by mail to someone@example.com");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await page.waitForTimeout(1500);
  expect((await page.textContent("#desk-status")).includes("1 e-mail address"), "the privacy message names what was removed");
  await page.screenshot({ path: "/tmp/desk-check-2-saved.png" });

  await context.setOffline(true);
  await page.click("button[value=save]");
  await page.waitForTimeout(500);
  await page.click("button[value=save]");
  await page.waitForTimeout(500);
  expect((await page.textContent("#desk-queue")).includes("2 entries"), "two entries wait while offline");
  await page.screenshot({ path: "/tmp/desk-check-3-offline.png" });
  await context.setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await page.waitForTimeout(3000);
  expect(await page.evaluate((key) => localStorage.getItem(key), `torg.desk.queue.${slug}`) === "[]", "the queue is empty once online");
  expect((await rows()) === Math.min(before + 3, 10), "three more rows in the last entries");
  expect((await page.textContent("#desk-status")).includes("2 entries sent"), "the status says the kept entries were sent");
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth &&
    Array.from(document.querySelectorAll(".desk-recent .row-actions a")).every((link) => link.getBoundingClientRect().right <= window.innerWidth)),
    "the last entries fit 768 px: every action is on screen without scrolling");
  await page.screenshot({ path: "/tmp/desk-check-4-online.png", fullPage: true });
  await browser.close();
})();

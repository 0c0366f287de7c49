/* The desk page, enhanced. Without this script the form still works (POST, redirect).
 *
 * 1. Remembers the chosen desk on this device (localStorage) and opens it next time.
 * 2. Filters the service list and the answer notes as you type (same folding as the
 *    server's catalogue search: case, accents, ø/æ/å and their ASCII spellings).
 * 3. Sends each entry with fetch and a client key (crypto.randomUUID). If the network is
 *    down (or the server does not answer), the entry is kept in localStorage and sent when
 *    the connection is back; the key makes a resend harmless, so nothing is lost and
 *    nothing is stored twice. The page says how many entries are waiting.
 */
/* The service search's ranking, without the page (the tests run it in Node):
 * the same as torg.inquiries.desk.search_rank. */
var TorgDeskSearch = (function () {
  "use strict";

  function fold(text) {
    var map = { "ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "ł": "l", "œ": "oe" };
    var folded = text.toLowerCase().replace(/[øæßđłœ]/g, function (ch) { return map[ch]; });
    folded = folded.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
    folded = folded.replace(/ae|oe|aa/g, function (pair) { return { ae: "a", oe: "o", aa: "a" }[pair]; });
    return folded.replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  /* 0 the whole (folded) query is the first word(s) of the name, 1 a word elsewhere in the
   * name, 2 the name starts with it, 3 a word of the name starts with it, 4 every query
   * word is in the synonyms, 5 another match; null: no match. name, synonyms and search
   * are folded by the server. */
  function rank(query, name, synonyms, search) {
    var tokens = query.split(" ").filter(Boolean);
    if (!tokens.length || !tokens.every(function (token) { return search.indexOf(token) !== -1; })) {
      return null;
    }
    var whole = tokens.join(" ");
    var padded = " " + name + " ";
    if (padded.indexOf(" " + whole + " ") === 0) { return 0; }
    if (padded.indexOf(" " + whole + " ") !== -1) { return 1; }
    if (name.indexOf(whole) === 0) { return 2; }
    if (padded.indexOf(" " + whole) !== -1) { return 3; }
    if (tokens.every(function (token) { return synonyms.indexOf(token) !== -1; })) { return 4; }
    return 5;
  }

  /* Items {name, synonyms, search, ...} that match, best first, ties by name. */
  function order(query, items) {
    var folded = fold(query);
    return items.map(function (item) {
      return { rank: rank(folded, item.name, item.synonyms, item.search), item: item };
    }).filter(function (entry) { return entry.rank !== null; }).sort(function (a, b) {
      if (a.rank !== b.rank) { return a.rank - b.rank; }
      return a.item.name < b.item.name ? -1 : a.item.name > b.item.name ? 1 : 0;
    }).map(function (entry) { return entry.item; });
  }

  return { fold: fold, rank: rank, order: order };
})();
if (typeof module !== "undefined" && module.exports) { module.exports = TorgDeskSearch; }

(function () {
  "use strict";
  if (typeof document === "undefined") { return; }

  var messages = JSON.parse((document.getElementById("desk-messages") || {}).textContent || "{}");
  var chooser = document.querySelector("[data-desk-chooser]");
  var form = document.querySelector("[data-desk-form]");
  var slug = chooser ? chooser.getAttribute("data-municipality") : "";
  var placeKey = "torg.desk.place." + slug;
  var queueKey = "torg.desk.queue." + slug;

  function format(text, count) { return String(text).replace("%(count)s", String(count)); }

  function storage() {
    try { return window.localStorage; } catch (error) { return null; }
  }

  /* 1. The desk remembered on this device. */
  (function rememberPlace() {
    var store = storage();
    if (!store || !chooser) { return; }
    var params = new URLSearchParams(window.location.search);
    var current = form ? form.getAttribute("data-place") : "";
    var remembered = store.getItem(placeKey);
    var select = chooser.querySelector("select");
    var known = remembered && Array.prototype.some.call(select.options, function (option) {
      return option.value === remembered;
    });
    if (!params.get("desk") && known && remembered !== current) {
      window.location.replace(window.location.pathname + "?desk=" + encodeURIComponent(remembered));
      return;
    }
    if (current) { store.setItem(placeKey, current); }
  })();

  /* 2. Filtering lists by typed words; the service list is ranked too (best match first,
   * TorgDeskSearch.order), so that Enter takes the best match, not the first in the
   * catalogue. */
  var fold = TorgDeskSearch.fold;

  Array.prototype.forEach.call(document.querySelectorAll("input[data-filter]"), function (input) {
    var list = document.querySelector(input.getAttribute("data-filter"));
    var status = document.getElementById(input.getAttribute("aria-describedby"));
    if (!list) { return; }
    var items = Array.prototype.slice.call(list.querySelectorAll("[data-search]"));
    var ranked = items.length && items[0].hasAttribute("data-name");
    input.addEventListener("input", function () {
      var tokens = fold(input.value).split(" ").filter(Boolean);
      var shown = 0;
      if (ranked) {
        var rows = items.map(function (item) {
          return {
            name: item.getAttribute("data-name"),
            synonyms: item.getAttribute("data-synonyms") || "",
            search: item.getAttribute("data-search"),
            element: item
          };
        });
        var matches = tokens.length ? TorgDeskSearch.order(input.value, rows).map(function (row) { return row.element; }) : items;
        items.forEach(function (item) { item.hidden = matches.indexOf(item) === -1; });
        matches.forEach(function (item) { list.appendChild(item); });  // the list order is the ranking
        if (!tokens.length) {
          items.slice().sort(function (a, b) {
            return Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order"));
          }).forEach(function (item) { list.appendChild(item); });
        }
        shown = matches.length;
      } else {
        items.forEach(function (item) {
          var text = item.getAttribute("data-search");
          var match = tokens.every(function (token) { return text.indexOf(token) !== -1; });
          item.hidden = !match;
          if (match) { shown += 1; }
        });
      }
      var box = list.closest("details");
      if (box && tokens.length) { box.open = true; }
      if (status) { status.textContent = tokens.length ? format(messages.found, shown) : ""; }
    });
    // Enter in the search box would submit the form; choose the best match instead.
    // Down arrow moves into the list: its radios share one Tab stop with the "used most"
    // buttons above the search box, so Tab alone would jump past the matches.
    input.addEventListener("keydown", function (event) {
      var visible = "[data-search]:not([hidden])";
      if (event.key === "ArrowDown") {
        var target = list.querySelector(visible + " input, " + visible + " summary");
        if (target) { event.preventDefault(); target.focus(); }
        return;
      }
      if (event.key !== "Enter") { return; }
      event.preventDefault();
      var first = list.querySelector(visible + " input");
      if (first) { first.checked = true; first.focus(); }
    });
  });

  /* The time field counts only for "Record late": otherwise it is disabled (out of the
   * Tab order and not sent). */
  (function lateField() {
    var late = document.querySelector("input[data-late-field]");
    if (!late || !late.form) { return; }
    var radios = late.form.querySelectorAll("input[name=when]");
    function update() {
      var chosen = late.form.querySelector("input[name=when]:checked");
      late.disabled = !chosen || chosen.value !== "late";
    }
    Array.prototype.forEach.call(radios, function (radio) { radio.addEventListener("change", update); });
    update();
  })();

  if (!form || !window.fetch || !storage()) { return; }

  /* 3. Sending, and the queue of entries kept while offline. */
  var statusBox = document.getElementById("desk-status");
  var queueBox = document.getElementById("desk-queue");
  var flushing = false;

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return "k-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }
  function readQueue() {
    try { return JSON.parse(storage().getItem(queueKey) || "[]"); } catch (error) { return []; }
  }
  function writeQueue(queue) { storage().setItem(queueKey, JSON.stringify(queue)); showQueue(queue); }

  function showQueue(queue) {
    var waiting = queue.filter(function (entry) { return !entry.refused; });
    var refused = queue.filter(function (entry) { return entry.refused; });
    queueBox.textContent = "";
    if (waiting.length) {
      queueBox.appendChild(document.createTextNode(
        waiting.length === 1 ? messages.waiting_one : format(messages.waiting_many, waiting.length)));
    }
    refused.forEach(function (entry) {
      var line = document.createElement("span");
      line.className = "desk-queue__refused";
      line.textContent = " " + messages.refused + " " + entry.refused + " ";
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "button--secondary";
      discard.textContent = messages.discard;
      discard.addEventListener("click", function () {
        writeQueue(readQueue().filter(function (other) { return other.key !== entry.key; }));
      });
      line.appendChild(discard);
      queueBox.appendChild(line);
    });
    queueBox.hidden = !queue.length;
  }

  function csrfToken() {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  /* POST one entry. Resolves to {ok, status, body}; rejects when the network fails. */
  function send(fields) {
    return fetch(form.getAttribute("action") || window.location.pathname, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRFToken": csrfToken()
      },
      body: new URLSearchParams(fields).toString()
    }).then(function (response) {
      // A login page after an expired session is a 200 too: only a JSON answer from
      // this URL counts as saved.
      var json = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
      var answered = json && !response.redirected;
      return (answered ? response.json() : Promise.resolve({})).then(function (body) {
        return { ok: response.ok && answered, status: answered ? response.status : 0, body: body };
      });
    });
  }

  function errorText(body) {
    var errors = (body && body.errors) || {};
    return Object.keys(errors).map(function (name) {
      return errors[name].map(function (error) { return error.message; }).join(" ");
    }).join(" ");
  }

  /* Send the waiting entries, oldest first; stop at the first network failure. */
  function flush() {
    if (flushing) { return Promise.resolve(); }
    flushing = true;
    var sent = 0;
    function next() {
      var entry = readQueue().filter(function (item) { return !item.refused; })[0];
      if (!entry) { return Promise.resolve(); }
      return send(entry.fields).then(function (result) {
        var queue = readQueue();
        if (result.ok) {
          sent += 1;
          writeQueue(queue.filter(function (item) { return item.key !== entry.key; }));
          refreshRecent();
          return next();
        }
        if (result.status === 400) {  // will never succeed as it is: show it, keep it
          queue.forEach(function (item) { if (item.key === entry.key) { item.refused = errorText(result.body) || String(result.status); } });
          writeQueue(queue);
          return next();
        }
        return undefined;  // 403 (logged out), 5xx: try again later
      });
    }
    return next().catch(function () {}).then(function () {
      flushing = false;
      // Replaces "No connection: ..." (the status box is a polite live region).
      if (sent) { say(sent === 1 ? messages.sent_one : format(messages.sent_many, sent)); }
    });
  }

  /* The "last entries" table, fetched again after a save. */
  function refreshRecent() {
    fetch(window.location.href, { credentials: "same-origin" }).then(function (response) {
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".desk-recent");
      var old = document.querySelector(".desk-recent");
      if (fresh && old) { old.innerHTML = fresh.innerHTML; }
    }).catch(function () {});
  }

  function check(name, value) {
    Array.prototype.forEach.call(form.querySelectorAll("input[name=" + name + "]"), function (input) {
      input.checked = input.value === value;
    });
  }

  /* After a save: always a new key, "now", no note; "Save and clear" resets the rest. */
  function prepareNext(clear) {
    form.querySelector("input[name=client_key]").value = newKey();
    form.querySelector("input[name=entered_at]").value = "";
    form.querySelector("textarea[name=note]").value = "";
    form.querySelector("input[name=occurred_at]").value = "";
    check("when", "now");
    if (clear) {
      check("service", "");
      check("channel", "in_person");
      check("outcome", "resolved");
      check("read_effort", "");
      check("user_type", "");
      Array.prototype.forEach.call(form.querySelectorAll(".desk-selects select"), function (select) { select.value = ""; });
    }
    var search = document.getElementById("service-search");
    if (search) { search.value = ""; search.dispatchEvent(new Event("input")); }
    var first = form.querySelector("input[name=service]:checked") || form.querySelector("input[name=service]");
    if (first) { first.focus(); }
  }

  function say(text, link) {
    statusBox.textContent = text;
    if (link) {
      var anchor = document.createElement("a");
      anchor.href = link;
      anchor.textContent = messages.refer;
      statusBox.appendChild(document.createTextNode(" "));
      statusBox.appendChild(anchor);
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var action = event.submitter && event.submitter.value === "clear" ? "clear" : "save";
    var keyField = form.querySelector("input[name=client_key]");
    if (!keyField.value) { keyField.value = newKey(); }
    var when = form.querySelector("input[name=when]:checked");
    form.querySelector("input[name=entered_at]").value =
      !when || when.value === "now" ? new Date().toISOString() : "";
    var data = new FormData(form);
    data.delete("csrfmiddlewaretoken");
    data.set("action", action);
    var fields = {};
    data.forEach(function (value, name) { fields[name] = value; });
    var entry = { key: keyField.value, fields: fields, queuedAt: new Date().toISOString() };

    send(fields).then(function (result) {
      if (result.ok) {
        say(result.body.message, result.body.referral_url);
        prepareNext(action === "clear");
        refreshRecent();
        flush();
        return;
      }
      if (result.status === 400) {
        // Let the server show the errors by field: the same entry, the same key.
        var hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = "action"; hidden.value = action;
        form.appendChild(hidden);
        form.submit();
        return;
      }
      throw new Error("HTTP " + result.status);
    }).catch(function () {
      var queue = readQueue();
      if (!queue.some(function (item) { return item.key === entry.key; })) { queue.push(entry); }
      writeQueue(queue);
      say(messages.offline);
      prepareNext(action === "clear");
    });
  });

  window.addEventListener("online", flush);
  window.setInterval(flush, 30000);
  showQueue(readQueue());
  flush();
})();

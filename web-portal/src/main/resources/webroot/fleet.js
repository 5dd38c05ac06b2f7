// Live updates of the staff's fleet page: follows /api/v1/fleet/events (Server-Sent Events) and patches the rows on
// this page and the counts in place, so the page never reloads. A file rather than an inline script: the portal's
// Content-Security-Policy allows scripts from this server only. Without script the page reloads itself (<noscript>).
// Rows are patched with textContent only: nothing from the stream is ever parsed as markup.
(function () {
  "use strict";
  var table = document.getElementById("fleet-table");
  var zone = table ? table.getAttribute("data-zone") : undefined;
  var seen;
  try {
    seen = new Intl.DateTimeFormat("sv-SE", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  } catch (e) {
    seen = null;
  }

  function text(v, digits) {
    if (v === null || v === undefined) {
      return "\u2014";
    }
    return typeof v === "number" ? v.toFixed(digits) : String(v);
  }

  function when(iso) {
    if (!iso) {
      return "\u2014";
    }
    return seen ? seen.format(new Date(iso)) : iso;
  }

  function badge(cls, label) {
    var s = document.createElement("span");
    s.className = "state state-" + cls;
    s.textContent = label;
    return s;
  }

  function patchRow(row, item) {
    row.setAttribute("data-state", item.state);
    var state = row.querySelector('[data-field="state"]');
    if (state) {
      state.textContent = "";
      state.appendChild(badge(item.state.toUpperCase(), item.state));
      item.states.forEach(function (s) {
        if (s !== item.state) {
          state.appendChild(document.createTextNode(" "));
          state.appendChild(badge("FAULT", s === "supplyOff" ? "supply off" : s));
        }
      });
      if (item.fault) {
        var f = document.createElement("span");
        f.className = "fault";
        f.textContent = item.fault;
        state.appendChild(document.createTextNode(" "));
        state.appendChild(f);
      }
    }
    var cells = { lastSeen: when(item.lastSeen), relay: text(item.relay), powerW: text(item.powerW, 1), energyKwh: text(item.energyKwh, 3) };
    Object.keys(cells).forEach(function (k) {
      var c = row.querySelector('[data-field="' + k + '"]');
      if (c) {
        c.textContent = cells[k];
      }
    });
    row.classList.add("changed");
  }

  function patchCounts(data) {
    Object.keys(data.counts || {}).forEach(function (k) {
      var c = document.querySelector('[data-count="' + k + '"]');
      if (c) {
        c.textContent = String(data.counts[k]);
      }
    });
    var total = document.getElementById("fleet-total");
    if (total && typeof data.total === "number") {
      total.textContent = String(data.total);
    }
  }

  if (!window.EventSource) {
    return;
  }
  var source = new EventSource("/api/v1/fleet/events");
  source.addEventListener("hello", function (e) {
    patchCounts(JSON.parse(e.data));
    var live = document.getElementById("fleet-live");
    if (live) {
      live.hidden = false;
    }
    document.documentElement.setAttribute("data-fleet-live", "connected");
  });
  source.addEventListener("fleet", function (e) {
    var data = JSON.parse(e.data);
    patchCounts(data);
    (data.items || []).forEach(function (item) {
      var rows = document.querySelectorAll("tr[data-meter]");
      for (var i = 0; i < rows.length; i++) {
        if (rows[i].getAttribute("data-meter") === item.meterId) {
          patchRow(rows[i], item);
        }
      }
    });
  });
})();

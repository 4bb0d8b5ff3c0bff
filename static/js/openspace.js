// Open space, progressively enhanced. Every page works without it (forms and reloads).
// - The live board polls its own URL with If-None-Match every two seconds: the server answers
//   304 while the board's version (kept in the database, so shared by every instance) is the
//   same, and the new board otherwise, which replaces the old one in place.
// - The marketplace polls the vote counts the same way.
// - On the admin board a topic card is dragged (mouse, pen or touch: pointer events) onto a
//   free cell; the script posts the same form the "Place in" select posts, then reloads to show
//   the result and the message.
(function () {
  function poll(url, every, apply) {
    var etag = null;
    function tick() {
      var headers = etag ? { "If-None-Match": etag } : {};
      fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 200) {
            etag = r.headers.get("ETag");
            return r.text().then(apply);
          }
        })
        .catch(function () { /* offline for a moment: try again at the next tick */ })
        .then(function () { window.setTimeout(tick, every); });
    }
    window.setTimeout(tick, every);
  }

  var live = document.querySelector("[data-live-board]");
  if (live) {
    poll(live.dataset.liveBoard, 2000, function (html) { live.innerHTML = html; });
  }

  var market = document.querySelector("[data-counts]");
  if (market) {
    poll(market.dataset.counts, 3000, function (text) {
      var counts;
      try { counts = JSON.parse(text); } catch (e) { return; }
      market.querySelectorAll(".votes[data-topic]").forEach(function (el) {
        var n = counts[el.dataset.topic];
        if (n !== undefined && String(n) !== el.textContent) { el.textContent = String(n); }
      });
    });
  }

  var boardTable = document.querySelector("table.admin-board");
  if (boardTable) {
    var dragging = null;
    var ghost = null;
    document.querySelectorAll(".card[data-topic]").forEach(function (card) {
      card.classList.add("movable");
      card.addEventListener("pointerdown", function (e) {
        if (e.target.closest("form")) { return; }
        dragging = card;
        card.classList.add("dragging");
        ghost = card.cloneNode(true);
        ghost.classList.add("ghost");
        ghost.setAttribute("aria-hidden", "true");
        document.body.appendChild(ghost);
        move(e);
        e.preventDefault();
      });
    });
    function move(e) {
      if (!ghost) { return; }
      ghost.style.left = (e.pageX + 8) + "px";
      ghost.style.top = (e.pageY + 8) + "px";
    }
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", function (e) {
      if (!dragging) { return; }
      var card = dragging;
      dragging = null;
      card.classList.remove("dragging");
      if (ghost) { ghost.remove(); ghost = null; }
      var under = document.elementFromPoint(e.clientX, e.clientY);
      var cell = under && under.closest("td[data-slot]");
      if (!cell) { return; }
      var body = new URLSearchParams();
      body.set("csrf_token", boardTable.dataset.csrf);
      body.set("topic_id", card.dataset.topic);
      body.set("slot_id", cell.dataset.slot);
      fetch(boardTable.dataset.place, { method: "POST", body: body, credentials: "same-origin", redirect: "manual" })
        .then(function () { window.location.reload(); });
    });
  }
})();

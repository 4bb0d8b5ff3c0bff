// A personal agenda without an account. Star buttons on the programme grid and on talk pages keep
// the chosen talks in this browser (localStorage, one list per event); the programme page links an
// iCal feed of them, agenda.ics?talks=…, that a calendar can subscribe to. The pages themselves
// stay the same for everyone (they are cached per release); without JavaScript nothing changes.
(function () {
  var root = document.querySelector("[data-agenda]");
  if (!root) { return; }
  var slug = root.dataset.agenda;
  var key = "ghent-agenda:" + slug;
  var chosen;
  try { chosen = JSON.parse(window.localStorage.getItem(key)) || []; } catch (e) { chosen = []; }

  function save() {
    try { window.localStorage.setItem(key, JSON.stringify(chosen)); } catch (e) { /* private mode: this page only */ }
  }
  // A toggle: the name stays, aria-pressed tells the state. The talk page's button also says in
  // words what it is; the grid's, in a crowded cell, is the star alone (its name says the rest).
  function show(button) {
    var on = chosen.indexOf(button.dataset.talkId) >= 0;
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = (on ? "\u2605" : "\u2606") + (button.dataset.words ? " In my agenda" : "");
  }
  function summary() {
    var box = document.getElementById("my-agenda");
    if (!box) { return; }
    box.hidden = false;
    box.querySelector(".count").textContent = chosen.length === 0
      ? "Star talks (\u2606) to build your agenda."
      : chosen.length + (chosen.length === 1 ? " talk" : " talks") + " in your agenda.";
    var feed = box.querySelector("a.feed");
    feed.hidden = chosen.length === 0;
    feed.href = "/" + slug + "/programme/agenda.ics?talks=" + chosen.join(",");
  }
  function star(id, title, words) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "star";
    button.dataset.talkId = id;
    if (words) { button.dataset.words = "1"; }
    button.setAttribute("aria-label", "In my agenda: " + title);
    show(button);
    button.addEventListener("click", function () {
      var at = chosen.indexOf(id);
      if (at >= 0) { chosen.splice(at, 1); } else { chosen.push(id); }
      save();
      document.querySelectorAll("button.star").forEach(show);
      summary();
    });
    return button;
  }

  // The grid: every cell that links a talk.
  document.querySelectorAll("a.slot-title").forEach(function (link) {
    var found = link.getAttribute("href").match(/\/talks\/([^/]+)\/$/);
    if (found) { link.parentNode.insertBefore(star(found[1], link.textContent), link.nextSibling); }
  });
  // A talk page: after its title (not inside it, so the heading reads as the title alone).
  if (root.dataset.talk) {
    var heading = root.querySelector("h1");
    heading.insertAdjacentElement("afterend", star(root.dataset.talk, heading.textContent.trim(), true));
  }
  summary();
}());

// Drag-and-drop for the draft programme grid. It posts to the same "place" route as the slot
// form, with the page's CSRF token, then reloads; without JavaScript the forms do the same.
(function () {
  var editor = document.getElementById("programme-editor");
  if (!editor) { return; }
  var csrf = editor.dataset.csrf;
  var base = editor.dataset.base;
  document.addEventListener("dragstart", function (e) {
    var talk = e.target.closest && e.target.closest("[data-talk-id]");
    if (talk) {
      e.dataTransfer.setData("text/plain", talk.dataset.talkId);
      e.dataTransfer.effectAllowed = "move";
    }
  });
  editor.addEventListener("dragover", function (e) {
    var cell = e.target.closest("td[data-slot-id]");
    if (cell) { e.preventDefault(); cell.classList.add("drop-target"); }
  });
  editor.addEventListener("dragleave", function (e) {
    var cell = e.target.closest("td[data-slot-id]");
    if (cell) { cell.classList.remove("drop-target"); }
  });
  editor.addEventListener("drop", function (e) {
    var cell = e.target.closest("td[data-slot-id]");
    var talk = e.dataTransfer.getData("text/plain");
    if (!cell || !talk) { return; }
    e.preventDefault();
    var body = new URLSearchParams({ csrf_token: csrf, talk_id: talk });
    fetch(base + "/slots/" + cell.dataset.slotId + "/place", { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) {
        if (r.ok) { window.location.reload(); } else { r.text().then(function () { alert("The talk could not be placed (" + r.status + ")."); }); }
      });
  });
}());

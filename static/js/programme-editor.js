// Drag-and-drop for the draft programme grid: a talk dropped on a slot is placed there (the
// "place" route of the slot form), a slot's time dragged onto a free cell moves the slot there
// (the "move" route; the slot form changes time and room without JavaScript). Each posts with
// the page's CSRF token, then reloads.
(function () {
  var editor = document.getElementById("programme-editor");
  if (!editor) { return; }
  var csrf = editor.dataset.csrf;
  var base = editor.dataset.base;
  var SLOT = "application/x-ghent-slot";
  function post(path, fields, what) {
    fields.csrf_token = csrf;
    fetch(base + path, { method: "POST", body: new URLSearchParams(fields), credentials: "same-origin" })
      .then(function (r) {
        if (r.ok) { window.location.reload(); } else { alert(what + " (" + r.status + ")."); }
      });
  }
  function target(e) {
    return e.target.closest && e.target.closest("td[data-slot-id], td[data-starts]");
  }
  document.addEventListener("dragstart", function (e) {
    var handle = e.target.closest && e.target.closest("[data-move-slot]");
    if (handle) {
      e.dataTransfer.setData(SLOT, handle.dataset.moveSlot);
      e.dataTransfer.effectAllowed = "move";
      return;
    }
    var talk = e.target.closest && e.target.closest("[data-talk-id]");
    if (talk) {
      e.dataTransfer.setData("text/plain", talk.dataset.talkId);
      e.dataTransfer.effectAllowed = "move";
    }
  });
  editor.addEventListener("dragover", function (e) {
    var cell = target(e);
    if (cell) { e.preventDefault(); cell.classList.add("drop-target"); }
  });
  editor.addEventListener("dragleave", function (e) {
    var cell = target(e);
    if (cell) { cell.classList.remove("drop-target"); }
  });
  editor.addEventListener("drop", function (e) {
    var cell = target(e);
    if (!cell) { return; }
    var slot = e.dataTransfer.getData(SLOT);
    var talk = e.dataTransfer.getData("text/plain");
    if (slot && cell.dataset.starts) {
      e.preventDefault();
      post("/slots/" + slot + "/move", { starts_at: cell.dataset.starts, room_id: cell.dataset.roomId }, "The slot could not be moved");
    } else if (talk && cell.dataset.slotId) {
      e.preventDefault();
      post("/slots/" + cell.dataset.slotId + "/place", { talk_id: talk }, "The talk could not be placed");
    }
  });
}());

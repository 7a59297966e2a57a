// The kind pages: a model chosen reloads its form; fields of other modes are hidden; the mask of
// erase and inpaint is painted on a canvas over the input image and kept in the `mask` file
// input as a PNG (black, white where painted), so the form sends it like an upload.
(function () {
  "use strict";

  // A choice made with the pointer sends its form at once. Arrow keys change a closed select's
  // value one option at a time: sending on each would reload the page under a keyboard user
  // (their focus lost) before they reach their choice, so theirs waits for Enter or the button.
  document.querySelectorAll("[data-submit-on-change]").forEach(function (select) {
    var byKeyboard = false;
    select.addEventListener("keydown", function (event) {
      byKeyboard = true;
      if (event.key === "Enter") { event.preventDefault(); select.form.requestSubmit(); }
    });
    select.addEventListener("pointerdown", function () { byKeyboard = false; });
    select.addEventListener("change", function () {
      if (!byKeyboard) { select.form.requestSubmit(); }
    });
  });

  var mode = document.getElementById("mode");
  function showModeFields() {
    document.querySelectorAll(".field[data-modes]").forEach(function (field) {
      var wanted = field.getAttribute("data-modes").split(" ");
      field.hidden = mode !== null && wanted.indexOf(mode.value) < 0;
    });
  }
  if (mode) { mode.addEventListener("change", showModeFields); }
  showModeFields();

  var canvas = document.getElementById("mask-canvas");
  if (!canvas) { return; }
  var stage = canvas.parentElement;
  var base = document.getElementById("mask-base");
  var brush = document.getElementById("brush");
  var maskInput = document.getElementById("mask");
  var pictures = document.getElementById("image_asset");
  var upload = document.getElementById("image");
  var context = canvas.getContext("2d");
  var painting = false;
  var objectUrl = null;

  function blank() {
    context.fillStyle = "#000";
    context.fillRect(0, 0, canvas.width, canvas.height);
    canvas.removeAttribute("data-painted");
    maskInput.value = "";
  }

  function keep() {
    // The painted mask becomes the file input's file: sent with the form, priced by the quote.
    canvas.toBlob(function (blob) {
      var files = new DataTransfer();
      files.items.add(new File([blob], "mask.png", { type: "image/png" }));
      maskInput.files = files.files;
      canvas.setAttribute("data-painted", "true");
      maskInput.dispatchEvent(new Event("change", { bubbles: true }));
    }, "image/png");
  }

  function show(source) {
    if (objectUrl) { URL.revokeObjectURL(objectUrl); objectUrl = null; }
    if (!source) { base.hidden = true; stage.classList.remove("ready"); return; }
    base.src = source;
  }

  base.addEventListener("load", function () {
    canvas.width = base.naturalWidth;
    canvas.height = base.naturalHeight;
    base.hidden = false;
    stage.classList.add("ready");
    blank();
  });

  function chosen() {
    if (upload && upload.files && upload.files.length) {
      show(null);
      objectUrl = URL.createObjectURL(upload.files[0]);
      base.src = objectUrl;
    } else if (pictures && pictures.value) {
      show(pictures.getAttribute("data-files") + encodeURIComponent(pictures.value));
    } else {
      show(null);
    }
  }
  if (pictures) { pictures.addEventListener("change", chosen); }
  if (upload) { upload.addEventListener("change", chosen); }
  chosen();

  function at(event) {
    var box = canvas.getBoundingClientRect();
    return {
      x: (event.clientX - box.left) * canvas.width / box.width,
      y: (event.clientY - box.top) * canvas.height / box.height,
      scale: canvas.width / box.width,
    };
  }

  function dab(event) {
    var point = at(event);
    context.fillStyle = "#fff";
    context.beginPath();
    context.arc(point.x, point.y, Number(brush.value) * point.scale / 2, 0, 2 * Math.PI);
    context.fill();
  }

  canvas.addEventListener("pointerdown", function (event) {
    painting = true;
    canvas.setPointerCapture(event.pointerId);
    dab(event);
  });
  canvas.addEventListener("pointermove", function (event) { if (painting) { dab(event); } });
  function stop() { if (painting) { painting = false; keep(); } }
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);

  document.getElementById("mask-clear").addEventListener("click", blank);
  document.getElementById("mask-centre").addEventListener("click", function () {
    context.fillStyle = "#fff";
    context.beginPath();
    context.ellipse(canvas.width / 2, canvas.height / 2, canvas.width / 6, canvas.height / 6, 0, 0, 2 * Math.PI);
    context.fill();
    keep();
  });
})();

// A file sent to a quote once is named by its digest in the quotes after it (quote_uploads.py),
// so a pause in typing no longer uploads the picture again. The server says which files it
// kept (with the name, size and time of the file sent, so a file chosen since is not taken for
// it) and which it no longer has: those are sent again at once.
(function () {
  "use strict";
  var form = document.getElementById("kind-form");
  if (!form) { return; }

  function identity(file) { return [file.name, file.size, file.lastModified, file.type].join("|"); }
  function input(name) { return form.querySelector("input[type=file][name='" + name + "']"); }

  document.body.addEventListener("htmx:configRequest", function (event) {
    if (!/\/quote$/.test(event.detail.path)) { return; }
    var data = event.detail.formData;
    form.querySelectorAll("input[type=file]").forEach(function (field) {
      var file = field.files && field.files[0];
      if (!file) { return; }
      if (field.dataset.quoteDigest && field.dataset.quoteIdentity === identity(file)) {
        data.delete(field.name);
        data.set(field.name + "_upload", field.dataset.quoteDigest);
      } else {
        data.set(field.name + "_identity", identity(file));
      }
    });
  });

  document.body.addEventListener("quote-uploads", function (event) {
    var told = event.detail || {};
    var kept = told.kept || {};
    Object.keys(kept).forEach(function (name) {
      var field = input(name);
      var file = field && field.files && field.files[0];
      if (file && identity(file) === kept[name][0]) {
        field.dataset.quoteIdentity = kept[name][0];
        field.dataset.quoteDigest = kept[name][1];
      }
    });
    var missing = (told.missing || []).filter(function (name) { return input(name); });
    missing.forEach(function (name) {
      delete input(name).dataset.quoteDigest;
      delete input(name).dataset.quoteIdentity;
    });
    if (missing.length) { htmx.trigger(form, "change"); }
  });
})();

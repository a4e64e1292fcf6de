// The door's camera (扫码签到): where the browser can read QR codes
// (BarcodeDetector) and the page may use the camera, a button starts it; each
// code read is sent with the form as a normal POST would send it, the answer
// shown in place, and scanning goes on. Without it, the form works as typed.
(function () {
  "use strict";
  var form = document.querySelector("form[data-scanner]");
  if (!form || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  var button = form.querySelector(".scan-camera");
  var video = form.querySelector("video.scanner");
  var input = form.querySelector("input[name=code]");
  var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  var last = "", lastAt = 0, busy = false;
  button.hidden = false;

  function show(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    ["#door-result", "#scan-result", "#door-attended", "#visitor-count", "#visitors"].forEach(function (sel) {
      var fresh = doc.querySelector(sel), old = document.querySelector(sel);
      if (fresh && old) old.replaceWith(fresh);
      else if (fresh) form.before(fresh);
    });
  }

  function send(code) {
    busy = true;
    input.value = code;
    fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(show)
      .catch(function () { /* the next scan tries again; a check-in never counts twice */ })
      .then(function () { busy = false; input.value = ""; });
  }

  function tick() {
    if (video.hidden) return;
    detector.detect(video).then(function (codes) {
      var now = Date.now();
      if (codes.length && !busy && (codes[0].rawValue !== last || now - lastAt > 3000)) {
        last = codes[0].rawValue; lastAt = now;
        send(last);
      }
    }).catch(function () {}).then(function () { setTimeout(tick, 250); });
  }

  button.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      button.hidden = true;
      return video.play();
    }).then(tick).catch(function () { button.disabled = true; });
  });
})();

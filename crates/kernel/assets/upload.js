// Progressive enhancement for forms marked data-progress: the bar shows the
// upload, then how many rows the server has checked and written (it polls
// /progress/<token>, the token sent with the form). Without JavaScript the
// form posts normally and the server's page is the same.
document.querySelectorAll("form[data-progress]").forEach(function (form) {
  var bar = document.getElementById(form.dataset.progress);
  var status = form.dataset.status ? document.getElementById(form.dataset.status) : null;
  form.addEventListener("submit", function (event) {
    if (!window.XMLHttpRequest || !window.FormData || !bar) return;
    event.preventDefault();
    var token = randomToken();
    var data = new FormData(form);
    if (token) data.append("progress", token);
    var xhr = new XMLHttpRequest();
    var polling = null;
    bar.hidden = false;
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.upload.addEventListener("load", function () {
      if (!token) return;
      polling = setInterval(function () { poll(token, bar, status, form.dataset.progressText); }, 300);
    });
    xhr.addEventListener("load", function () {
      if (polling) clearInterval(polling);
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () {
      if (polling) clearInterval(polling);
      form.submit();
    });
    xhr.open(form.method, form.action);
    xhr.send(data);
  });
});

function randomToken() {
  if (!window.crypto || !window.crypto.getRandomValues) return null;
  var bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
}

function poll(token, bar, status, text) {
  var req = new XMLHttpRequest();
  req.open("GET", "/progress/" + token);
  req.addEventListener("load", function () {
    if (req.status !== 200) return;
    var p = JSON.parse(req.responseText);
    if (p.total) {
      bar.max = p.total;
      bar.value = Math.min(p.done, p.total);
    }
    if (status && text) status.textContent = text.replace("{done}", p.done).replace("{total}", p.total || "?");
  });
  req.send();
}

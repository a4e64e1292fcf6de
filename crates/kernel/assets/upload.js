// Progressive enhancement: show upload progress for forms marked data-progress.
// Without JavaScript the form posts normally and the server's page is the same.
document.querySelectorAll("form[data-progress]").forEach(function (form) {
  var bar = document.getElementById(form.dataset.progress);
  form.addEventListener("submit", function (event) {
    if (!window.XMLHttpRequest || !window.FormData || !bar) return;
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    bar.hidden = false;
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener("load", function () {
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () { form.submit(); });
    xhr.open(form.method, form.action);
    xhr.send(new FormData(form));
  });
});

// The NHS.UK frontend's body classes, set from a file because the CSP refuses inline scripts.
document.documentElement.classList.add("js-enabled");
document.addEventListener("DOMContentLoaded", function () {
  document.body.classList.add("js-enabled");
  if ("noModule" in HTMLScriptElement.prototype) document.body.classList.add("nhsuk-frontend-supported");
});

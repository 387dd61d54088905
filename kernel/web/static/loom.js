// The shell's own script (the CSP allows no inline script): htmx requests carry the CSRF token of
// the page in the X-CSRFToken header. Screens add their behaviour in files of their own.
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.headers["X-CSRFToken"] = meta.content;
});

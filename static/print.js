// The badge page's print button: shown only where JavaScript runs (it is hidden otherwise, and
// the browser's own Print still works), as the CSP allows no inline script.
document.querySelectorAll('[data-print]').forEach((button) => {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
});

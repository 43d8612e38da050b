// NHS.UK frontend components (header menu, error summary focus, tables) and small page helpers.
import { initAll } from "../../nhsuk/nhsuk-frontend.min.js";

initAll();

// The month grid: Enter moves to the next cell like a spreadsheet (Tab already does).
document.addEventListener("keydown", function (event) {
  const input = event.target;
  if (event.key !== "Enter" || !(input instanceof HTMLInputElement) || !input.classList.contains("app-grid__input")) return;
  event.preventDefault();  // leaving the cell fires its change event, which saves it
  const cells = Array.from(document.querySelectorAll("input.app-grid__input:not([disabled])"));
  const next = cells[cells.indexOf(input) + 1];
  if (next) next.focus();
});

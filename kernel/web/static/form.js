// Behaviour of the generic form (the CSP allows no inline script): picking an autocomplete match
// of a many-to-one field fills its hidden id and visible name, and tells the form it changed (the
// on-change request follows); typing a new name clears the id until a match is picked; a click
// elsewhere or Escape closes the matches.
function closeMatches(except) {
  document.querySelectorAll(".many2one-options").forEach((list) => {
    if (list !== except) list.replaceChildren();
  });
}

document.addEventListener("click", (event) => {
  const option = event.target.closest(".many2one-option");
  if (!option) {
    closeMatches(event.target.closest(".many2one")?.querySelector(".many2one-options"));
    return;
  }
  const search = document.getElementById("field-" + option.dataset.field);
  const value = document.getElementById("field-" + option.dataset.field + "-value");
  if (!search || !value) return;
  search.value = option.dataset.label;
  search.dataset.picked = option.dataset.label;
  value.value = option.dataset.id;
  closeMatches(null);
  value.dispatchEvent(new Event("change", { bubbles: true }));
});

document.addEventListener("input", (event) => {
  const search = event.target.closest(".many2one-search");
  if (!search) return;
  delete search.dataset.picked;
  const value = document.getElementById(search.id + "-value");
  if (value) value.value = "";
});

// A search still waiting for its delay when a match is picked would reopen the matches: drop it.
document.addEventListener("htmx:beforeRequest", (event) => {
  const source = event.detail.elt;
  if (source.classList?.contains("many2one-search") && source.dataset.picked === source.value) {
    event.preventDefault();
  }
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closeMatches(null);
});

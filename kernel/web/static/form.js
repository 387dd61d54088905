// Behaviour of the generic form (the CSP allows no inline script): picking an autocomplete match
// of a many-to-one field fills its hidden id and visible name, and tells the form it changed (the
// on-change request follows); typing a new name clears the id until a match is picked.
document.addEventListener("click", (event) => {
  const option = event.target.closest(".many2one-option");
  if (!option) return;
  const search = document.getElementById("field-" + option.dataset.field);
  const value = document.getElementById("field-" + option.dataset.field + "-value");
  if (!search || !value) return;
  search.value = option.dataset.label;
  value.value = option.dataset.id;
  option.parentElement.replaceChildren();
  value.dispatchEvent(new Event("change", { bubbles: true }));
  search.focus();
});

document.addEventListener("input", (event) => {
  const search = event.target.closest(".many2one-search");
  if (!search) return;
  const value = document.getElementById(search.id + "-value");
  if (value) value.value = "";
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const search = event.target.closest(".many2one-search");
  if (search) document.getElementById(search.id + "-options")?.replaceChildren();
});

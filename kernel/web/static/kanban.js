// Drag-and-drop on kanban boards: dropping a card on another column submits the card's own move
// form with that column chosen, the same POST its Move button sends (no library, no inline script).
document.addEventListener("dragstart", (event) => {
  const card = event.target.closest && event.target.closest(".kanban-card");
  if (card) event.dataTransfer.setData("text/plain", card.dataset.record);
});
document.addEventListener("dragover", (event) => {
  if (event.target.closest && event.target.closest(".kanban-column")) event.preventDefault();
});
document.addEventListener("drop", (event) => {
  const column = event.target.closest && event.target.closest(".kanban-column");
  if (!column) return;
  event.preventDefault();
  const record = event.dataTransfer.getData("text/plain");
  const card = document.querySelector(`.kanban-card[data-record="${CSS.escape(record)}"]`);
  if (!card || card.closest(".kanban-column") === column) return;
  const form = card.querySelector("form.kanban-move");
  const choice = Array.from(form.elements.to.options).find((option) => option.value === column.dataset.column);
  if (!choice) return;
  form.elements.to.value = choice.value;
  form.requestSubmit();
});

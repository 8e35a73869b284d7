// Dash 4's dropdown, opened by a click, focuses the selected option, where typed letters go
// nowhere. Typing a letter there moves focus to the dropdown's search box, which then receives it,
// so "click the picker, type RIOT, Enter" works as it does everywhere else.
document.addEventListener("keydown", (event) => {
  if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (!(target instanceof HTMLElement) || target.classList.contains("dash-dropdown-search")) return;
  const content = target.closest(".dash-dropdown-content");
  const search = content && content.querySelector("input.dash-dropdown-search");
  if (search) search.focus();
}, true);

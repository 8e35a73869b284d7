// Typing into Dash 4's dropdowns the way people do: "click the picker, type RIOT, Enter".
// 1. Opened by a click, the dropdown focuses the selected option, where typed letters go nowhere:
//    a letter typed there moves focus to the dropdown's search box, which then receives it.
// 2. Dash toggles the first listed option when Enter is released in the search box. Typed fast,
//    Enter arrives before the list has narrowed to the typed text, and the first option is then a
//    selected one: a ticker was removed instead of added. Enter is held until the list matches the
//    search, and it never removes a selection (the × and a click on an option still do).
(() => {
  const REPLAYED = "minerdashReplayed";
  const valueOf = (option) => {
    const box = option.querySelector("input");
    return (box ? box.value : option.textContent || "").trim().toLowerCase();
  };
  const optionsOf = (search) => {
    const content = search.closest(".dash-dropdown-content");
    return content ? [...content.querySelectorAll("[role=option]")] : [];
  };
  const narrowed = (search) => {
    const typed = search.value.trim().toLowerCase();
    return optionsOf(search).every((option) => valueOf(option).includes(typed));
  };

  const replayWhenNarrowed = (search, framesLeft) => {
    if (!search.isConnected) return;
    if (!narrowed(search) && framesLeft > 0) {
      requestAnimationFrame(() => replayWhenNarrowed(search, framesLeft - 1));
      return;
    }
    const enter = new KeyboardEvent("keyup", { key: "Enter", bubbles: true, cancelable: true });
    enter[REPLAYED] = true;
    search.dispatchEvent(enter);
  };

  const onEnterReleased = (event, search) => {
    if (!search.value.trim()) return;
    const hold = () => { event.preventDefault(); event.stopPropagation(); };
    if (!event[REPLAYED] && !narrowed(search)) {
      hold();
      replayWhenNarrowed(search, 60);
      return;
    }
    const first = optionsOf(search)[0];
    if (!narrowed(search) || (first && first.getAttribute("aria-selected") === "true")) hold();
  };

  document.addEventListener("keyup", (event) => {
    const target = event.target;
    if (event.key === "Enter" && target instanceof HTMLElement && target.classList.contains("dash-dropdown-search")) {
      onEnterReleased(event, target);
    }
  }, true);

  document.addEventListener("keydown", (event) => {
    if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (!(target instanceof HTMLElement) || target.classList.contains("dash-dropdown-search")) return;
    const content = target.closest(".dash-dropdown-content");
    const search = content && content.querySelector("input.dash-dropdown-search");
    if (search) search.focus();
  }, true);
})();

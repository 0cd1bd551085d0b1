// Print buttons: the page's own print CSS lays the paper out on A4.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

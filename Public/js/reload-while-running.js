// Reloads an import's page every 1.5 s while it runs, so the progress bar moves. Without script the link does it.
setTimeout(function () { if (document.getElementById('import-progress')) location.reload(); }, 1500);

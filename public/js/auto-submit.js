// Submits every form marked data-auto-submit once the page has loaded (the SAML HTTP-POST binding's hand-over).
// The page works without it: the form has a visible submit button. A file of its own, as the CSP forbids inline script.
{
  const submitAll = () => {
    for (const form of document.querySelectorAll('form[data-auto-submit]')) form.submit();
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', submitAll);
  else submitAll();
}

/**
 * A stand-in for `https://assets.crowd.aws/crowd-html-elements.js` (AWS's script cannot be fetched
 * here), limited to the `crowd-form` behaviour the worker templates rely on, each point documented:
 * - a submit button is appended when the form has none
 *   (https://docs.aws.amazon.com/sagemaker/latest/dg/sms-ui-template-crowd-form.html);
 * - `crowd-form` "extends the standard HTML form element and inherits its events, such as onclick
 *   and onsubmit" (same page): a cancelled `submit` event stops the submission;
 * - native inputs with `required` are enforced, which is how AWS says to make a radio choice
 *   required (https://docs.aws.amazon.com/sagemaker/latest/dg/sms-ui-template-crowd-radio-button.html);
 * - fields are submitted by name, text as strings, and empty fields are left out
 *   (https://docs.aws.amazon.com/sagemaker/latest/dg/sms-ui-template-crowd-input.html).
 * Whether the real element validates before or after firing `submit` is not documented, so both
 * orders exist (`validation`: `native-first` or `none`, where only the template's own handler guards).
 * The answer is POSTed as JSON to {@link SUBMIT_URL}, where the test intercepts it.
 */

/** Where the stand-in posts the answer (intercepted by the test; never reaches a network). */
export const SUBMIT_URL = 'https://worker-portal.stand-in/submit';
/** The script URL the templates load. */
export const CROWD_ELEMENTS_URL = 'https://assets.crowd.aws/crowd-html-elements.js';

/** The stand-in's source. */
export function crowdElementsStandIn(validation: 'native-first' | 'none'): string {
  return `(function () {
  var VALIDATE = ${JSON.stringify(validation === 'native-first')};
  customElements.define('crowd-form', class extends HTMLElement {
    connectedCallback() {
      var self = this;
      // The script runs before the form is parsed: add the button once the page is.
      if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', function () { self.addButton(); }); return; }
      this.addButton();
    }
    addButton() {
      if (this.querySelector('[data-crowd-submit]')) return;
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Submit';
      button.setAttribute('data-crowd-submit', '');
      var self = this;
      button.addEventListener('click', function () { self.crowdSubmit(); });
      this.appendChild(button);
    }
    controls() { return Array.prototype.slice.call(this.querySelectorAll('input, textarea, select')); }
    crowdSubmit() {
      var controls = this.controls();
      if (VALIDATE) {
        var invalid = controls.filter(function (c) { return !c.checkValidity(); });
        if (invalid.length > 0) { invalid[0].reportValidity(); window.__crowdBlocked = (window.__crowdBlocked || 0) + 1; return; }
      }
      var event = new Event('submit', { cancelable: true });
      if (!this.dispatchEvent(event)) { window.__crowdBlocked = (window.__crowdBlocked || 0) + 1; return; }
      var answer = {};
      controls.forEach(function (c) {
        if (!c.name) return;
        if (c.type === 'radio' || c.type === 'checkbox') { if (c.checked) answer[c.name] = c.value; return; }
        if (c.value !== '') answer[c.name] = c.value;
      });
      fetch(${JSON.stringify(SUBMIT_URL)}, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(answer) });
    }
  });
})();`;
}

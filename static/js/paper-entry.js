// Paper entry, keyboard first: the sheet number field opens with the cursor after the number
// suggested (the next sheet), so the officer can correct it or go on with Tab.
(function () {
  "use strict";
  var sheet = document.querySelector('.paper-form input[name="sheet"]');
  if (!sheet) return;
  var end = sheet.value.length;
  sheet.focus();
  sheet.setSelectionRange(end, end);
}());

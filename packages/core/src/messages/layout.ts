/**
 * The HTML around every message: one narrow column, system fonts, inline styles only (many mail
 * clients drop <style>), no images, colours with at least 4.5:1 contrast, the document's language
 * set so screen readers pronounce Norwegian as Norwegian, and real headings, lists and links.
 * These build Handlebars *sources*: the `{{...}}` in them is filled in when a template renders.
 */

const FONT = 'font-family:-apple-system,BlinkMacSystemFont,\'Segoe UI\',Roboto,Helvetica,Arial,sans-serif;';
const TEXT = '#1f2937';
const MUTED = '#4b5563';
const ACCENT = '#1d4ed8';

export const S = Object.freeze({
  h1: `margin:0 0 16px;font-size:20px;line-height:1.3;color:${TEXT};`,
  h2: `margin:24px 0 8px;font-size:17px;line-height:1.3;color:${TEXT};`,
  p: 'margin:0 0 16px;',
  ul: 'margin:0 0 16px;padding-left:20px;',
  li: 'margin:0 0 8px;',
  link: `color:${ACCENT};text-decoration:underline;`,
  button: `display:inline-block;padding:12px 20px;border-radius:6px;background-color:${ACCENT};color:#ffffff;font-weight:bold;text-decoration:none;`,
  footer: `margin:32px 0 0;padding-top:16px;border-top:1px solid #d1d5db;font-size:14px;line-height:1.5;color:${MUTED};`,
});

/** A call to action: a link styled as a button (it stays a link for assistive technology). */
export const button = (hrefField: string, label: string): string =>
  `<p style="margin:24px 0;"><a href="{{${hrefField}}}" style="${S.button}">${label}</a></p>`;

/** A whole e-mail document around `body` (and `footer`, when the message has one). */
export function emailDocument(body: string, footer = ''): string {
  return `<!DOCTYPE html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>{{subject}}</title>
</head>
<body style="margin:0;padding:0;background-color:#f3f4f6;">
<div role="article" aria-roledescription="email" aria-label="{{subject}}" lang="{{lang}}" style="max-width:600px;margin:0 auto;padding:24px;background-color:#ffffff;${FONT}font-size:16px;line-height:1.5;color:${TEXT};">
${body.trim()}
${footer ? `<div style="${S.footer}">\n${footer.trim()}\n</div>\n` : ''}</div>
</body>
</html>
`;
}

/** A small web page (the unsubscribe answers), in the same look. */
export function pageDocument(body: string): string {
  return `<!DOCTYPE html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{title}}</title>
</head>
<body style="margin:0;padding:0;background-color:#f3f4f6;">
<main style="max-width:560px;margin:40px auto;padding:24px;background-color:#ffffff;${FONT}font-size:16px;line-height:1.5;color:${TEXT};">
${body.trim()}
</main>
</body>
</html>
`;
}

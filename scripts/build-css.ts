// npm run build:css — rebuilds public/css/bootstrap.css from Bootstrap and the views (see scripts/stylesheet.ts).
import fs from 'node:fs';
import { STYLESHEET_FILE, buildStylesheet } from './stylesheet';

const css = await buildStylesheet();
fs.writeFileSync(STYLESHEET_FILE, css);
console.log(`${STYLESHEET_FILE}: ${css.length} bytes`);

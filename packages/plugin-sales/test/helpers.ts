import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseScriptFile } from '../src/script/script-file.js';

export const COURSE_EN_FILE = fileURLToPath(new URL('../scripts/course.en.yaml', import.meta.url));
export const COURSE_RU_FILE = fileURLToPath(new URL('../scripts/course.ru.yaml', import.meta.url));
export const courseEnText = () => readFileSync(COURSE_EN_FILE, 'utf8');
export const courseEn = () => parseScriptFile(courseEnText()).definition;

/** A deep copy of the English demo script as plain JSON, to edit in tests. */
export function courseJson(): Record<string, any> {
  return JSON.parse(JSON.stringify(courseEn()));
}

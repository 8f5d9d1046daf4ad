import 'reflect-metadata';
import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2));
// `start` keeps running (signal handlers stop it); every other command exits here.
if (!process.argv.slice(2).includes('start') || code !== 0) process.exit(code);

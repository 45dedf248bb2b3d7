/**
 * The CPU projects' setup (vitest.config.ts): their files share one process (`isolate: false`),
 * so each file starts from the settings the first one found, with a fresh process's generator,
 * and a file that leaves a process-wide setting changed fails, naming it (process-settings.ts).
 */
import { afterAll } from "vitest";
import { endFile, startFile } from "./process-settings.js";

// before the file is imported: a file may draw random numbers as it loads
startFile();
afterAll(endFile);

import type { BenchSuite } from '../types';
import * as stats from './stats';
import * as consoleSuite from './console';
import * as uiList from './ui-list';
import * as storage from './storage';
import * as history from './history';

/** Every suite `npm run bench` runs, in order. Add a suite: write bench/suites/NAME.ts exporting `name` and `run`, list it here. */
export const suites: BenchSuite[] = [stats, consoleSuite, uiList, storage, history];

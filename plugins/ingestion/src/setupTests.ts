import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// findBy*/waitFor give up after 1 s by default; on a loaded 2-core CI machine a first render
// (module loading, MUI styles) or a table's re-render can take longer than that without anything
// being wrong: the dashboard's first render and page changes took up to 20 s per test at a load
// of 11 on 2 cores. Waits for timers (throttles, debounces) should not count on this budget:
// tests advance those on fake timers.
configure({ asyncUtilTimeout: 15_000 });

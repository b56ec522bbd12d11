import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// findBy*/waitFor give up after 1 s by default; on a loaded 2-core CI machine a first render
// (module loading, MUI styles) can take longer than that without anything being wrong.
configure({ asyncUtilTimeout: 10_000 });

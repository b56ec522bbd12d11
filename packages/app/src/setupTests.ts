import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// See plugins/ingestion/src/setupTests.ts: the default 1 s is too short on a loaded CI machine.
configure({ asyncUtilTimeout: 10_000 });

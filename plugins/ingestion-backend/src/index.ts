export { ingestionPlugin as default } from './plugin';

export { TableEntityContent } from './TableEntityContent';

export { localStreamingRefusal, runStream } from './runStream';

// Records what would crash (or warn about) the process while a test runs:
// unhandled rejections, uncaught exceptions and process warnings such as
// nice-grpc's "Uncaught error in server implementation" or a listener leak.

export interface ProcessRecorder {
  unhandledRejections: unknown[];
  uncaughtExceptions: unknown[];
  warnings: Error[];
  /** Stops recording. */
  dispose(): void;
}

export function recordProcessTrouble(): ProcessRecorder {
  const recorder: ProcessRecorder = {
    unhandledRejections: [],
    uncaughtExceptions: [],
    warnings: [],
    dispose: () => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
      process.off('warning', onWarning);
    },
  };
  const onRejection = (reason: unknown) => recorder.unhandledRejections.push(reason);
  const onException = (error: unknown) => recorder.uncaughtExceptions.push(error);
  const onWarning = (warning: Error) => recorder.warnings.push(warning);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  process.on('warning', onWarning);
  return recorder;
}

// Undo in reverse order of setup, every step even when one fails; then
// report all failures at once. The bench's one place for teardown.

export class CleanupStack {
  readonly #steps: Array<{ what: string; run: () => Promise<unknown> | unknown }> = [];

  push(what: string, run: () => Promise<unknown> | unknown): void {
    this.#steps.push({ what, run });
  }

  async run(): Promise<void> {
    const errors: Error[] = [];
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step.run();
      } catch (error) {
        errors.push(new Error(`${step.what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `bench cleanup was incomplete: ${errors.map((e) => e.message).join('; ')}`);
  }
}

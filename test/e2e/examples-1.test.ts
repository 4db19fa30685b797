// Part 1 of the examples' browser test (test/e2e/examples.ts); the parts run side by side.
import { describeExamples } from './examples';

describeExamples(1, 2);

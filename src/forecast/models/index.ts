/** The forecasting models by name (alphabetical), and the fallback when one cannot be fitted. */
import type { ModelName } from '../types.ts';
import { holtDamped } from './holt-damped.ts';
import { holtWintersAdditive } from './holt-winters-additive.ts';
import { holtWintersMultiplicative } from './holt-winters-multiplicative.ts';
import type { ModelSpec } from './model-spec.ts';
import { ols } from './ols.ts';
import { seasonalNaive } from './seasonal-naive.ts';
import { theilSen } from './theil-sen.ts';

/** Every model, by name. */
export const MODELS: Readonly<Record<ModelName, ModelSpec>> = {
  'holt-damped': holtDamped,
  'holt-winters-additive': holtWintersAdditive,
  'holt-winters-multiplicative': holtWintersMultiplicative,
  ols,
  'seasonal-naive': seasonalNaive,
  'theil-sen': theilSen,
};

/** The next simpler model to use when a model does not suit the series (ols always does). */
export const FALLBACK: Readonly<Record<ModelName, ModelName>> = {
  'holt-damped': 'ols',
  'holt-winters-additive': 'holt-damped',
  'holt-winters-multiplicative': 'holt-winters-additive',
  ols: 'ols',
  'seasonal-naive': 'ols',
  'theil-sen': 'ols',
};

/** Model names, in the registry's order. */
export const MODEL_NAMES = Object.keys(MODELS) as ModelName[];

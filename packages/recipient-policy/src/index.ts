export { placeOf, type RecipientPlace } from "./place/place.js";
export { DEFAULT_RECIPIENT_POLICY, type EffectivePolicy, type PolicyScope, policyFor } from "./policy/effective.js";
export { isRecipientPolicyText, type LoadPolicyResult, loadRecipientPolicy, parseRecipientPolicy } from "./policy/load.js";
export { CallingWindow, RecipientPolicy } from "./policy/schema.js";
export { type WindowVerdict, windowVerdict } from "./window/verdict.js";

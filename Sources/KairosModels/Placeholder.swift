public enum KairosModelsPlaceholder {}

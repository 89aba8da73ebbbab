// Column and UTCCalendar are part of the Frame API, so importing KairosFrame brings them.
@_exported import KairosCore

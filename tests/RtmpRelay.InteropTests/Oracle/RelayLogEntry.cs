namespace RtmpRelay.InteropTests.Oracle;

/// <summary>One entry of the relay's console log.</summary>
/// <param name="Line">The 1-based line of the entry's header in the log text, for messages.</param>
/// <param name="Time">The time of day the relay stamped on it (HH:mm:ss.fff), or null when the log carries no timestamps.</param>
/// <param name="Level">The console logger's level tag: trce, dbug, info, warn, fail or crit.</param>
/// <param name="Category">The logger's category, e.g. RtmpRelay.Destinations.DestinationManager.</param>
/// <param name="EventId">The event id in brackets after the category.</param>
/// <param name="Message">The message (lines after the first, such as an exception, joined with '\n').</param>
internal sealed record RelayLogEntry(int Line, TimeSpan? Time, string Level, string Category, int EventId, string Message)
{
    public override string ToString() =>
        $"line {Line}: {(Time is { } t ? t.ToString(@"hh\:mm\:ss\.fff", System.Globalization.CultureInfo.InvariantCulture) + " " : "")}{Level}: {Category}[{EventId}] {Message}";
}

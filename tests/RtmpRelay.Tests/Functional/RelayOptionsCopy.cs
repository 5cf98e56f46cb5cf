using System.Text.Json;
using RtmpRelay.Options;

namespace RtmpRelay.Tests.Functional;

/// <summary>A deep copy of options, as a configuration reload produces a new instance.</summary>
internal static class RelayOptionsCopy
{
    public static RelayOptions Of(RelayOptions options)
    {
        var copy = JsonSerializer.Deserialize<RelayOptions>(JsonSerializer.Serialize(options))!;
        copy.Applications = new(copy.Applications, StringComparer.OrdinalIgnoreCase);
        foreach (var application in copy.Applications.Values)
        {
            application.Destinations = new(application.Destinations, StringComparer.OrdinalIgnoreCase);
        }
        return copy;
    }
}

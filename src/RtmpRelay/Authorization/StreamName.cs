namespace RtmpRelay.Authorization;

/// <summary>
/// A stream name as a client sends it, "show1?key=SECRET&amp;x=y": the name (what the registry, destinations, logs
/// and the API use) and the query (where keys and tokens travel; never logged).
/// </summary>
internal static class StreamName
{
    /// <summary>Splits at the first '?'.</summary>
    public static (string Name, string? Query) Split(string raw)
    {
        var question = raw.IndexOf('?');
        return question < 0 ? (raw, null) : (raw[..question], raw[(question + 1)..]);
    }

    /// <summary>The value of "key" in a query (a=b&amp;key=SECRET), URL-decoded; null when there is none.</summary>
    public static string? KeyOf(string? query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return null;
        }
        foreach (var part in query.Split('&'))
        {
            if (part.StartsWith("key=", StringComparison.Ordinal))
            {
                return Uri.UnescapeDataString(part[4..]);
            }
        }
        return null;
    }

    /// <summary>Null when <paramref name="name"/> may name a stream, else why not (the text holds no query).</summary>
    public static string? Problem(string name, int maxLength)
    {
        if (name.Length == 0)
        {
            return "the stream name is empty";
        }
        if (name.Length > maxLength)
        {
            return $"the stream name is longer than {maxLength} characters";
        }
        if (name.Any(char.IsControl))
        {
            return "the stream name contains control characters";
        }
        if (name.Contains('/') || name.Contains('\\'))
        {
            return "the stream name contains a slash";
        }
        if (name.Contains("..", StringComparison.Ordinal))
        {
            return "the stream name contains '..'";
        }
        return null;
    }

    /// <summary>A URL with its query replaced by "?****": tcUrls and destination URLs carry keys there.</summary>
    public static string? Redact(string? url)
    {
        if (url is null)
        {
            return null;
        }
        var question = url.IndexOf('?');
        return question < 0 ? url : url[..question] + "?****";
    }
}

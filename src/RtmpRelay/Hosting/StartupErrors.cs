using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace RtmpRelay.Hosting;

/// <summary>
/// Turns an invalid setting into what the user needs to fix it: one line per problem naming the key and its value
/// (secrets never shown), and exit code <see cref="ExitCode"/>. Some settings are checked from configuration before the
/// host is built (<see cref="Check"/>); the rest fail while it builds or starts, and <see cref="TryDescribe"/> reads them
/// out of the exception. Anything else is a bug, not a setting, and keeps its stack trace.
/// </summary>
internal static partial class StartupErrors
{
    /// <summary>The process exit code for a configuration error.</summary>
    public const int ExitCode = 2;

    public const string AdminTokenKey = "Relay:Admin:Token";

    private const string Prefix = "Configuration error: ";

    /// <summary>
    /// What is wrong in <paramref name="configuration"/> before the host is built: every Kestrel endpoint URL, two
    /// endpoints on one port, an admin endpoint beyond loopback without a token, and certificate files that do not exist.
    /// </summary>
    public static IReadOnlyList<string> Check(IConfiguration configuration, string contentRoot)
    {
        var errors = new List<string>();
        var endpoints = StartupEndpoints.Read(configuration, errors);
        for (var i = 0; i < endpoints.Count; i++)
        {
            // Caught here, as otherwise the second bind fails as if another program held the port.
            if (endpoints.Take(i).FirstOrDefault(earlier => Overlap(earlier, endpoints[i])) is { } first)
            {
                errors.Add($"{StartupEndpoints.EndpointsSection}:{endpoints[i].Name}:Url = '{endpoints[i].Url}': port {endpoints[i].Port} is also " +
                    $"{StartupEndpoints.EndpointsSection}:{first.Name}:Url ('{first.Url}'): give each endpoint its own port.");
            }
        }
        if (endpoints.FirstOrDefault(e => e.Role == EndpointRole.Admin) is { LoopbackOnly: false } admin &&
            string.IsNullOrWhiteSpace(configuration[AdminTokenKey]))
        {
            errors.Add($"{StartupEndpoints.EndpointsSection}:{admin.Name}:Url = '{admin.Url}' lets other machines reach the admin API, " +
                $"and {AdminTokenKey} is not set: set a token, or listen on 127.0.0.1 (http://127.0.0.1:{admin.Port}).");
        }
        foreach (var (key, path) in CertificateFiles(configuration))
        {
            if (!File.Exists(Path.GetFullPath(path, contentRoot)))
            {
                errors.Add($"{key} = '{path}': no such file{(Path.IsPathRooted(path) ? "" : $" (relative to {contentRoot})")}.");
            }
        }
        return errors.Select(e => Prefix + OneLine(e)).ToList();
    }

    private static bool Overlap(StartupEndpoint a, StartupEndpoint b) =>
        a.Port != 0 && a.Port == b.Port && (a.AnyAddress || b.AnyAddress || a.Host.Equals(b.Host, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The lines that explain <paramref name="exception"/> when it comes from an invalid setting (false otherwise):
    /// options validation, a port in use or not allowed, a missing file, a certificate that does not load, Kestrel's own
    /// configuration errors, a configuration file that does not parse.
    /// </summary>
    public static bool TryDescribe(Exception exception, IConfiguration? configuration, out IReadOnlyList<string> lines)
    {
        var found = new List<string>();
        foreach (var cause in Causes(exception))
        {
            if (Describe(cause, configuration) is { } described)
            {
                found.AddRange(described);
            }
            else
            {
                lines = [];
                return false; // one cause that is not a setting: let the whole exception through
            }
        }
        lines = found.Select(l => Prefix + OneLine(l)).Distinct().ToList();
        return lines.Count > 0;
    }

    /// <summary>
    /// A configuration value as it may appear on the console: URLs with the stream name (the key) and the query hidden,
    /// unless the last segment is a {stream} template; a value that is not a URL as written, unless it is long enough
    /// to be a pasted stream key.
    /// </summary>
    public static string Redact(string value)
    {
        var question = value.IndexOf('?');
        var path = question < 0 ? value : value[..question];
        var query = question < 0 ? "" : "?****";
        var schemeEnd = path.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return value.Length <= 16 && question < 0 ? value : $"{value[..Math.Min(2, value.Length)]}**** ({value.Length} characters)";
        }
        var pathStart = path.IndexOf('/', schemeEnd + 3);
        var lastSlash = path.LastIndexOf('/');
        if (pathStart < 0 || lastSlash == path.Length - 1 || path[(lastSlash + 1)..].Contains("{stream}", StringComparison.Ordinal))
        {
            return path + query;
        }
        return path[..(lastSlash + 1)] + "****" + query;
    }

    /// <summary>The exceptions behind <paramref name="exception"/>: aggregates and reflection wrappers opened.</summary>
    private static IEnumerable<Exception> Causes(Exception exception) => exception switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Causes),
        TargetInvocationException { InnerException: { } inner } => Causes(inner),
        _ => [exception],
    };

    private static IEnumerable<string>? Describe(Exception exception, IConfiguration? configuration)
    {
        switch (exception)
        {
            case OptionsValidationException validation:
                return validation.Failures.Select(f => WithValue(f, configuration));
            case IOException when exception.InnerException is AddressInUseException || BindFailure().IsMatch(exception.Message):
                return [DescribeBind(exception, configuration)];
            case FileNotFoundException or DirectoryNotFoundException:
                return [DescribeMissingFile(exception, configuration)];
            case CryptographicException:
                return [$"a certificate or key under Kestrel could not be loaded: {exception.Message} ({CertificateKeys(configuration)})."];
            case InvalidDataException when exception.Message.StartsWith("Failed to load configuration", StringComparison.Ordinal):
                return [$"{exception.Message} {exception.InnerException?.Message}"];
            case ArgumentException when FromKestrel(exception) && exception.Message.Contains("certificate", StringComparison.OrdinalIgnoreCase):
                return [DescribeMissingCertificate(configuration)];
            case InvalidOperationException or ArgumentException when FromKestrel(exception):
                return [$"Kestrel: {exception.Message}"];
            default:
                return null;
        }
    }

    /// <summary>
    /// A validation failure, which starts with the key it is about; when the key holds a value the failure does not
    /// mention, the value is added (redacted; never for keys, tokens and passwords).
    /// </summary>
    private static string WithValue(string failure, IConfiguration? configuration)
    {
        if (configuration is null || LeadingKey().Match(failure) is not { Success: true } match)
        {
            return failure;
        }
        var key = match.Groups["key"].Value;
        if (configuration[key] is not { Length: > 0 } value || IsSecret(key))
        {
            return failure;
        }
        var shown = Redact(value);
        if (failure.Contains(shown, StringComparison.Ordinal))
        {
            return failure;
        }
        return $"{failure.TrimEnd().TrimEnd('.')} (is '{shown}').";
    }

    private static bool IsSecret(string key)
    {
        var last = key[(key.LastIndexOf(':') + 1)..];
        return key.Contains(":Keys:", StringComparison.OrdinalIgnoreCase) || last.Equals("Key", StringComparison.OrdinalIgnoreCase) ||
            last.Contains("Token", StringComparison.OrdinalIgnoreCase) || last.Contains("Password", StringComparison.OrdinalIgnoreCase);
    }

    private static string DescribeBind(Exception exception, IConfiguration? configuration)
    {
        var reason = exception.InnerException is AddressInUseException
            ? "is already in use (another relay or program listens on it)"
            : $"cannot be listened on: {Innermost(exception).Message}";
        var bind = BindFailure().Match(exception.Message);
        if (!bind.Success || !StartupEndpoints.TryParse(bind.Groups["address"].Value, out var host, out var port, out _, out _))
        {
            return $"a Kestrel endpoint {reason}: {exception.Message}";
        }
        var endpoints = configuration is null ? [] : StartupEndpoints.Read(configuration);
        var endpoint = endpoints.FirstOrDefault(e => e.Port == port && e.Host.Equals(host, StringComparison.OrdinalIgnoreCase))
            ?? endpoints.FirstOrDefault(e => e.Port == port);
        return endpoint is null
            ? $"port {port} ({bind.Groups["address"].Value}) {reason}."
            : $"{StartupEndpoints.EndpointsSection}:{endpoint.Name}:Url = '{endpoint.Url}': port {port} {reason}.";
    }

    private static string DescribeMissingFile(Exception exception, IConfiguration? configuration)
    {
        var quoted = Quoted().Match(exception.Message);
        // FileNotFoundException names the file; others say "Could not find a part of the path '...'", or are the path itself.
        var path = (exception as FileNotFoundException)?.FileName ?? (quoted.Success ? quoted.Groups[1].Value
            : Path.IsPathRooted(exception.Message) ? exception.Message : null);
        if (configuration is not null && path is not null)
        {
            var file = Path.GetFileName(path.TrimEnd('/'));
            foreach (var (key, value) in CertificateFiles(configuration).Append((RelayHostBuilderExtensions.SecretsDirectoryKey, configuration[RelayHostBuilderExtensions.SecretsDirectoryKey] ?? "")))
            {
                if (value.Length > 0 && (path.EndsWith(value.TrimStart('.', '/'), StringComparison.Ordinal) || Path.GetFileName(value.TrimEnd('/')) == file))
                {
                    return $"{key} = '{value}': no such file or directory ({path}).";
                }
            }
        }
        return $"no such file or directory: {path ?? exception.Message}";
    }

    /// <summary>A TLS endpoint without a certificate (and no default one): which, and what to set.</summary>
    private static string DescribeMissingCertificate(IConfiguration? configuration)
    {
        var without = configuration is null ? [] : StartupEndpoints.Read(configuration)
            .Where(e => e.Tls && !configuration.GetSection($"{StartupEndpoints.EndpointsSection}:{e.Name}:Certificate").GetChildren().Any())
            .Select(e => $"{StartupEndpoints.EndpointsSection}:{e.Name}:Url = '{e.Url}'").ToList();
        var which = without.Count > 0 ? string.Join(", ", without) : "a TLS endpoint (rtmps, rtmpts, https)";
        return $"{which} has no certificate: set its Certificate:Path and Certificate:KeyPath " +
            $"(e.g. {DevelopmentCertificatePaths}, which the relay creates when missing).";
    }

    private const string DevelopmentCertificatePaths =
        Transports.Tls.DevelopmentCertificate.DefaultCertificatePath + " and " + Transports.Tls.DevelopmentCertificate.DefaultKeyPath;

    /// <summary>Every certificate file Kestrel reads: Kestrel:Endpoints:NAME:Certificate and Kestrel:Certificates:NAME.</summary>
    private static IEnumerable<(string Key, string Path)> CertificateFiles(IConfiguration configuration)
    {
        var sections = configuration.GetSection(StartupEndpoints.EndpointsSection).GetChildren().Select(e => e.GetSection("Certificate"))
            .Concat(configuration.GetSection("Kestrel:Certificates").GetChildren());
        foreach (var certificate in sections)
        {
            foreach (var name in new[] { "Path", "KeyPath" })
            {
                if (certificate[name] is { Length: > 0 } path)
                {
                    yield return ($"{certificate.Path}:{name}", path);
                }
            }
        }
    }

    private static string CertificateKeys(IConfiguration? configuration) =>
        configuration is null ? "Kestrel:Endpoints:NAME:Certificate"
            : string.Join(", ", CertificateFiles(configuration).Select(c => $"{c.Key} = '{c.Path}'").DefaultIfEmpty("Kestrel:Endpoints:NAME:Certificate"));

    // Thrown in Kestrel: the first frame of the stack trace, not TargetSite, which a Native AOT build has no metadata for.
    private static bool FromKestrel(Exception exception) =>
        exception.StackTrace?.TrimStart().StartsWith("at Microsoft.AspNetCore.Server.Kestrel.", StringComparison.Ordinal) == true;

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is { } inner)
        {
            exception = inner;
        }
        return exception is SocketException socket ? new IOException($"{socket.Message} ({socket.SocketErrorCode})") : exception;
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    // "Relay:Applications:live:Destinations:x:Url: not an absolute URL", "Relay:Limits:MaxChunkStreams must be ...".
    [GeneratedRegex(@"^(?<key>Relay(?::[^\s:,]+)+)(?=: | must | is )", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingKey();

    // Kestrel: "Failed to bind to address http://127.0.0.1:1935: address already in use."
    [GeneratedRegex(@"^Failed to bind to address (?<address>\S+?):? ", RegexOptions.CultureInvariant)]
    private static partial Regex BindFailure();

    [GeneratedRegex("'([^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex Quoted();
}

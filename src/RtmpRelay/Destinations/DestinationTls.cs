using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RtmpRelay.Destinations;

/// <summary>
/// TLS towards an rtmps destination: SNI = the URL's host, TLS 1.2 or 1.3, the certificate validated against the
/// system trust store (or a pinned fingerprint, or not at all when the destination opts out). A failed validation
/// says which check failed.
/// </summary>
internal static class DestinationTls
{
    public static async Task<SslStream> AuthenticateAsync(Stream network, DestinationUrl url, DestinationSpec destination, CancellationToken cancellationToken)
    {
        var pin = NormalizeFingerprint(destination.CertificateFingerprint);
        string? failure = null;
        var tls = new SslStream(network, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = url.Host,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                failure = Validate(certificate, errors, pin, destination.AllowInvalidCertificate);
                return failure is null;
            },
        };
        try
        {
            await tls.AuthenticateAsClientAsync(options, cancellationToken);
            return tls;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            await tls.DisposeAsync();
            throw new DestinationFailureException(new DestinationFailure(DestinationFailureKind.Tls, failure is not null
                ? $"TLS certificate of {url.Host} rejected: {failure}"
                : $"TLS handshake with {url.Host} failed: {ex.Message}"));
        }
    }

    /// <returns>Null when the certificate is accepted, else why not.</returns>
    public static string? Validate(X509Certificate? certificate, SslPolicyErrors errors, string? pin, bool allowInvalid)
    {
        if (allowInvalid)
        {
            return null;
        }
        if (pin is not null)
        {
            if (certificate is null)
            {
                return "no certificate presented";
            }
            var actual = Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData()));
            return actual == pin ? null : $"its SHA-256 fingerprint {actual} does not match the pinned {pin}";
        }
        return errors == SslPolicyErrors.None ? null : $"{errors} (not trusted by the system store or issued for another name)";
    }

    public static string? NormalizeFingerprint(string? fingerprint) =>
        string.IsNullOrWhiteSpace(fingerprint) ? null : fingerprint.Replace(":", "").Replace(" ", "").ToUpperInvariant();
}

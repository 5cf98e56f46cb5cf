namespace RtmpRelay.Transports.Rtmpt;

internal static class RtmptEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the RTMPT requests. They are matched before YARP's routes (literal segments win over catch-alls), so a web
    /// site can share the port: every other request goes to the ReverseProxy configuration, or gets 404.
    /// </summary>
    public static IEndpointRouteBuilder MapRtmpt(this IEndpointRouteBuilder endpoints)
    {
        var handler = endpoints.ServiceProvider.GetRequiredService<RtmptRequestHandler>();
        endpoints.Map("/fcs/ident2", handler.IdentAsync);
        endpoints.Map("/open/{seq}", handler.OpenAsync);
        endpoints.Map("/send/{id}/{seq}", handler.SendAsync);
        endpoints.Map("/idle/{id}/{seq}", handler.IdleAsync);
        endpoints.Map("/close/{id}/{seq}", handler.CloseAsync);
        return endpoints;
    }
}

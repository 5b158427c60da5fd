using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Configuration;

/// <summary>Registers one feature's options, bound and checked by <see cref="Hosting.ControllerHost.Bind"/>, with its validator run again when the host starts.</summary>
public static class BoundOptionsServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="IOptions{TOptions}"/> serves <paramref name="bound"/> through <see cref="BoundOptionsFactory{TOptions}"/>,
    /// checked by <typeparamref name="TValidator"/> (and any other validator registered for the type) at start
    /// (<c>ValidateOnStart</c>): a host built from settings that were never checked does not start, and every
    /// problem is named by its key.
    /// </summary>
    public static IServiceCollection AddBoundOptions<TOptions, TValidator>(this IServiceCollection services, TOptions bound)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(bound);
        services.AddOptions<TOptions>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        services.AddSingleton<IOptionsFactory<TOptions>>(sp => new BoundOptionsFactory<TOptions>(bound, sp.GetServices<IValidateOptions<TOptions>>()));
        return services;
    }
}

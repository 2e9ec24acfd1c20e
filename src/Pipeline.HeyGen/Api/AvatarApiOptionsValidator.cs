using Microsoft.Extensions.Options;

namespace Pipeline.HeyGen.Api;

/// <summary>
/// Validates <see cref="AvatarApiOptions"/> for the options system with the clients' own rules, so
/// <c>ValidateOnStart</c> and a failed resolve report the precise setting to fix (never the key's value: no message
/// of <see cref="AvatarApiOptions.Validate"/> quotes it).
/// </summary>
/// <typeparam name="TOptions">The product's options.</typeparam>
internal sealed class AvatarApiOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : AvatarApiOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}

using Microsoft.Extensions.Options;

namespace Pipeline.Tavus;

/// <summary>Validates <see cref="TavusOptions"/> for the options system with the client's own rules, so
/// <c>ValidateOnStart</c> and a failed resolve name the setting to fix (no rule's message quotes the key).</summary>
internal sealed class TavusOptionsValidator : IValidateOptions<TavusOptions>
{
    public ValidateOptionsResult Validate(string? name, TavusOptions options)
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

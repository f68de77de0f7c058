import Leaf
import Vapor

/// The markup every form field repeats when it is the field in error, in one place: the attributes that tie the
/// control to its message, and the message itself.
///
/// A page's error is about the field `key` when its view model (the `data` of the template) has
/// - `errors.<key>` (forms that show several errors at once), or
/// - `errorAnchor == key` or `errorField == key`, with the message in `error`, or
/// - `subAnchor == key`, with the message in `subError` (a page holding several small forms).
///
/// The key is also the message's element id without its `e-` prefix, so the error summary at the top of a page links
/// to the control and the control names its message.
package enum FieldErrors {
    /// The message about `key` in the page's view model, if there is one.
    package static func message(_ key: String, in context: [String: LeafData]) -> String? {
        guard let data = context["data"]?.dictionary else { return nil }
        if let m = data["errors"]?.dictionary?[key]?.string, !m.isEmpty { return m }
        if data["errorAnchor"]?.string == key || data["errorField"]?.string == key {
            return data["error"]?.string ?? ""
        }
        if data["subAnchor"]?.string == key { return data["subError"]?.string ?? "" }
        return nil
    }
}

/// `#invalid("key")` inside an `input`, `select` or `textarea`: ` aria-invalid="true" aria-describedby="e-key"` when
/// the page's error is about `key`, else nothing. `#invalid("key", "hint-id")` always describes the control by
/// `hint-id` as well (a control may carry only one `aria-describedby`).
package struct InvalidTag: UnsafeUnescapedLeafTag {
    package init() {}

    package func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string else {
            throw Abort(.internalServerError, reason: "#invalid needs a field key")
        }
        let hint = ctx.parameters.dropFirst().first?.string
        let invalid = FieldErrors.message(key, in: ctx.data) != nil
        var described = invalid ? ["e-" + key] : []
        if let hint { described.append(hint) }
        var out = invalid ? " aria-invalid=\"true\"" : ""
        if !described.isEmpty { out += " aria-describedby=\"\(described.joined(separator: " ").htmlEscaped())\"" }
        return .string(out)
    }
}

/// `#fieldError("key")`: `<p class="field-error" id="e-key">message</p>` when the page's error is about `key`.
package struct FieldErrorTag: UnsafeUnescapedLeafTag {
    package init() {}

    package func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string else {
            throw Abort(.internalServerError, reason: "#fieldError needs a field key")
        }
        guard let message = FieldErrors.message(key, in: ctx.data) else { return .string("") }
        return .string("<p class=\"field-error\" id=\"e-\(key.htmlEscaped())\">\(message.htmlEscaped())</p>")
    }
}

@carepath
Feature: WBC bands at diagnosis
  Scenario Outline: A WBC of <WBC> is <band>
    Given the protocol "docs/examples/wbc_bands.care"
    And a patient "P" with:
      | field            | value |
      | wbc_at_diagnosis | <WBC> |
    When the protocol is evaluated
    Then patient "P" is assigned "<band>" for "wbc_band"

    Examples:
      | WBC        | band     |
      | 84,950 /uL | high     |
      | 11,410 /uL | ordinary |
